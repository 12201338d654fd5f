import { App, Chart } from 'cdk8s';
import { BlogSystemChart } from './blog-system';
import { BookinfoChart, BookinfoGatewayApiChart } from './bookinfo';
import { CommerceChart } from './commerce';
import { CommerceIngressChart } from './commerce-ingress';
import { IstioInActionChart } from './istioinaction';
import { PaymentsChart, PaymentsFlaggerChart } from './payments';
import { ShopChart } from './shop';

/** Adds every example chart to `app`: one output file per chart (`dist/<id>.k8s.yaml`). */
export function defineExampleApps(app: App): Chart[] {
  return [
    new BlogSystemChart(app, 'blog-system'),
    new BookinfoChart(app, 'bookinfo'),
    new BookinfoGatewayApiChart(app, 'bookinfo-gateway-api'),
    new CommerceChart(app, 'commerce'),
    new CommerceIngressChart(app, 'commerce-ingress'),
    new PaymentsChart(app, 'payments'),
    new PaymentsFlaggerChart(app, 'payments-flagger'),
    new IstioInActionChart(app, 'istioinaction'),
    new ShopChart(app, 'shop'),
  ];
}
