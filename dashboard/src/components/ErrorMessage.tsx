import type { ApiError } from '@/lib/api';

export function ErrorMessage({ error, context }: { error?: ApiError; context?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <strong>
        {context ? `${context}: ` : ''}
        {error.title}
        {error.status > 0 ? ` (${error.status})` : ''}
      </strong>
      <div>{error.message}</div>
      {error.field ? (
        <div className="muted">
          Field: <code>{error.field}</code>
        </div>
      ) : null}
    </div>
  );
}
