/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function ItemsPage() {
  return <PageHeader title="ItemsPage" />;
}
