import { prettyJson } from '@/lib/format';

export function JsonBlock({ label, text }: { label: string; text?: string }) {
  const pretty = prettyJson(text);
  return (
    <section className="json-block" aria-label={label}>
      <h3>{label}</h3>
      {pretty ? <pre tabIndex={0}>{pretty}</pre> : <p className="muted">(empty)</p>}
    </section>
  );
}
