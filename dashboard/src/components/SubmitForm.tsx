'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { ApiError, errorOf } from '@/lib/api';
import type { SubmitRequest, SubmitResponse } from '@/lib/types';
import { ErrorMessage } from './ErrorMessage';

export interface SubmitFormProps {
  submit: (req: SubmitRequest) => Promise<SubmitResponse>;
  onSubmitted?: (res: SubmitResponse, req: SubmitRequest) => void;
  queues?: string[];
}

type FieldName = 'queue' | 'payload' | 'priority' | 'max_retries' | 'delay_ms' | 'idempotency_key';

function num(v: string): number | undefined {
  return v.trim() === '' ? undefined : Number(v);
}

export function SubmitForm({ submit, onSubmitted, queues = [] }: SubmitFormProps) {
  const [queue, setQueue] = useState('default');
  const [payload, setPayload] = useState('{\n  "hello": "world"\n}');
  const [priority, setPriority] = useState('5');
  const [maxRetries, setMaxRetries] = useState('3');
  const [delay, setDelay] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [result, setResult] = useState<SubmitResponse | undefined>(undefined);

  const fieldError = (f: FieldName) => (error?.field === f ? error.message : undefined);
  const invalid = (f: FieldName) => (error?.field === f ? true : undefined);
  const describedBy = (f: FieldName) => (error?.field === f ? `${f}-error` : `${f}-hint`);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    let body: unknown = '';
    if (payload.trim() !== '') {
      try {
        body = JSON.parse(payload);
      } catch (err) {
        setError(
          new ApiError(
            400,
            `The payload is not valid JSON: ${err instanceof Error ? err.message : err}`,
            'payload',
          ),
        );
        return;
      }
    }
    const req: SubmitRequest = {
      queue: queue.trim() || undefined,
      payload: typeof body === 'object' && body !== null ? body : JSON.stringify(body),
      priority: num(priority),
      max_retries: num(maxRetries),
      delay_ms: num(delay),
      idempotency_key: key.trim() || undefined,
    };
    if (payload.trim() === '') delete req.payload;
    setBusy(true);
    try {
      const res = await submit(req);
      setResult(res);
      onSubmitted?.(res, req);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };

  const hint = (f: FieldName, text: string) =>
    fieldError(f) ? (
      <span id={`${f}-error`} className="field-error">
        {fieldError(f)}
      </span>
    ) : (
      <span id={`${f}-hint`} className="hint">
        {text}
      </span>
    );

  return (
    <form className="card form" onSubmit={onSubmit} noValidate aria-label="Submit a task">
      <div className="form-grid">
        <label>
          Queue
          <input
            name="queue"
            value={queue}
            list="known-queues"
            onChange={(e) => setQueue(e.target.value)}
            aria-invalid={invalid('queue')}
            aria-describedby={describedBy('queue')}
            autoComplete="off"
          />
          <datalist id="known-queues">
            {queues.map((q) => (
              <option key={q} value={q} />
            ))}
          </datalist>
          {hint('queue', 'Workers only take the queues they serve.')}
        </label>
        <label>
          Priority
          <input
            name="priority"
            type="number"
            inputMode="numeric"
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
            aria-invalid={invalid('priority')}
            aria-describedby={describedBy('priority')}
          />
          {hint('priority', '0 (lowest) to 10 (highest).')}
        </label>
        <label>
          Max retries
          <input
            name="max_retries"
            type="number"
            inputMode="numeric"
            value={maxRetries}
            onChange={(e) => setMaxRetries(e.target.value)}
            aria-invalid={invalid('max_retries')}
            aria-describedby={describedBy('max_retries')}
          />
          {hint('max_retries', 'Retries after the first attempt; 0 = none.')}
        </label>
        <label>
          Delay (ms)
          <input
            name="delay_ms"
            type="number"
            inputMode="numeric"
            value={delay}
            placeholder="0"
            onChange={(e) => setDelay(e.target.value)}
            aria-invalid={invalid('delay_ms')}
            aria-describedby={describedBy('delay_ms')}
          />
          {hint('delay_ms', 'Waits PENDING this long before it can run.')}
        </label>
        <label className="span-2">
          Idempotency key
          <input
            name="idempotency_key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={invalid('idempotency_key')}
            aria-describedby={describedBy('idempotency_key')}
            autoComplete="off"
          />
          {hint('idempotency_key', 'Optional; the same key in a queue maps to the same task.')}
        </label>
        <label className="span-2">
          Payload (JSON)
          <textarea
            name="payload"
            rows={6}
            value={payload}
            spellCheck={false}
            onChange={(e) => setPayload(e.target.value)}
            aria-invalid={invalid('payload')}
            aria-describedby={describedBy('payload')}
          />
          {hint(
            'payload',
            'Dev workers: {"delay_ms": 5000} sleeps, {"fail": true} fails, {"non_retryable": true} fails for good.',
          )}
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Submitting…' : 'Submit task'}
        </button>
      </div>
      <ErrorMessage error={error} context="Not submitted" />
      {result ? (
        <div className="alert alert-ok" role="status" data-testid="submit-result">
          <strong>{result.duplicate ? 'Duplicate: already submitted as ' : 'Submitted '}</strong>
          <Link href={`/task/?id=${result.task_id}`} className="mono">
            {result.task_id}
          </Link>{' '}
          ({result.status})
        </div>
      ) : null}
    </form>
  );
}
