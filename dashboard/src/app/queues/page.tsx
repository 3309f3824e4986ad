import type { Metadata } from 'next';
import { QueuesView } from '@/views/QueuesView';

export const metadata: Metadata = { title: 'Queues' };

export default function Page() {
  return <QueuesView />;
}
