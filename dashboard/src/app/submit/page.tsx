import type { Metadata } from 'next';
import { SubmitView } from '@/views/SubmitView';

export const metadata: Metadata = { title: 'Submit' };

export default function Page() {
  return <SubmitView />;
}
