import Link from 'next/link';

export default function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page here. Go to the <Link href="/">overview</Link>.
      </p>
    </section>
  );
}
