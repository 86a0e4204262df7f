/** Placeholder while the page is written. */
import { PageHeader } from '../../components/page-header.tsx';

export function ItemDetailsPage({ item }: { item: string }) {
  return <PageHeader title="ItemDetailsPage" />;
}
