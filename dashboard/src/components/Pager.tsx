export function Pager({
  page,
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  total,
  shown,
}: {
  page: number;
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  total?: number;
  shown: number;
}) {
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" className="btn" onClick={onPrev} disabled={!hasPrev}>
        ← Newer
      </button>
      <span className="muted">
        Page {page}
        {total !== undefined ? ` · ${shown} shown of ${total.toLocaleString('en-US')}` : ''}
      </span>
      <button type="button" className="btn" onClick={onNext} disabled={!hasNext}>
        Older →
      </button>
    </nav>
  );
}
