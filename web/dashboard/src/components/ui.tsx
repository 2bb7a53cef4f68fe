/**
 * The dashboard's one set of components: buttons, badges, tables, dialogs, fields, and the empty / loading /
 * error states every page shows the same way.
 */
import { type ButtonHTMLAttributes, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { describeFailure } from "../api.ts";
import type { Query } from "../hooks.ts";

type Variant = "primary" | "secondary" | "danger" | "ghost";

export function Button(
  props: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean },
) {
  const { variant = "secondary", busy, className, children, disabled, ...rest } = props;
  return (
    <button
      type="button"
      {...rest}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={`button button-${variant}${className ? ` ${className}` : ""}`}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

export function ButtonLink(props: { to: string; children: ReactNode; variant?: Variant }) {
  return (
    <Link to={props.to} className={`button button-${props.variant ?? "secondary"}`}>
      {props.children}
    </Link>
  );
}

const TONES: Record<string, string> = {
  active: "good",
  succeeded: "good",
  done: "good",
  processed: "good",
  connected: "good",
  enabled: "good",
  resolved: "good",
  running: "info",
  syncing: "info",
  pending: "info",
  received: "info",
  needs_reauth: "warn",
  paused: "neutral",
  disabled: "neutral",
  ignored: "neutral",
  skipped: "neutral",
  muted: "neutral",
  partial: "warn",
  rate_limited: "warn",
  schema_change: "warn",
  unroutable: "warn",
  open: "bad",
  error: "bad",
  failed: "bad",
  auth_failed: "bad",
  provider_down: "bad",
  revoked: "neutral",
};

/** A status word in its color (green good, blue in progress, amber attention, red failed, grey neutral). */
export function Badge(props: { status: string; label?: string }) {
  const tone = TONES[props.status] ?? "neutral";
  return (
    <span className={`badge badge-${tone}`} data-status={props.status}>
      {tone === "info" ? <span className="pulse" aria-hidden="true" /> : null}
      {props.label ?? props.status.replaceAll("_", " ")}
    </span>
  );
}

export function PageHeader(props: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle ? <p className="subtitle">{props.subtitle}</p> : null}
      </div>
      {props.actions ? <div className="actions">{props.actions}</div> : null}
    </header>
  );
}

export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card${props.className ? ` ${props.className}` : ""}`}>
      {props.title || props.actions ? (
        <div className="card-header">
          {props.title ? <h2>{props.title}</h2> : <span />}
          {props.actions ? <div className="actions">{props.actions}</div> : null}
        </div>
      ) : null}
      {props.children}
    </section>
  );
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table(props: { label: string; head: ReactNode[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.head.map((cell, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: header cells are fixed per table
              <th key={index} scope="col">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function Stat(props: { label: string; value: ReactNode; tone?: "good" | "bad" | "warn" }) {
  return (
    <div className={`stat${props.tone ? ` stat-${props.tone}` : ""}`}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

/** A row of stats; `text` for words rather than figures (smaller, wrapping). */
export function Stats(props: { children: ReactNode; text?: boolean }) {
  return <dl className={props.text ? "stats stats-text" : "stats"}>{props.children}</dl>;
}

export function Loading(props: { label?: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" /> {props.label ?? "Loading…"}
    </div>
  );
}

export function Empty(props: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{props.title}</strong>
      {props.children ? <div>{props.children}</div> : null}
    </div>
  );
}

/** A failure as the API described it: title, detail, and what to do. */
export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  if (props.error === undefined || props.error === null) return null;
  const failure = describeFailure(props.error);
  return (
    <div className="state state-error" role="alert">
      <strong>{failure.title}</strong>
      <p>{failure.detail}</p>
      {failure.hint ? <p className="hint">{failure.hint}</p> : null}
      {props.onRetry ? (
        <Button onClick={props.onRetry} variant="secondary">
          Retry
        </Button>
      ) : null}
    </div>
  );
}

/** Loading, then an error (with retry), then the content; data kept on screen while a poll fails. */
export function QueryView<T>(props: { query: Query<T>; children: (data: T) => ReactNode; label?: string }) {
  const { query } = props;
  if (query.data === undefined) {
    if (query.error !== undefined) return <ErrorBox error={query.error} onRetry={query.reload} />;
    return <Loading {...(props.label ? { label: props.label } : {})} />;
  }
  return (
    <>
      {query.error !== undefined ? <ErrorBox error={query.error} onRetry={query.reload} /> : null}
      {props.children(query.data)}
    </>
  );
}

/**
 * A modal dialog on the native <dialog>: the page behind is inert (focus stays inside), Escape closes it,
 * and focus returns to what opened it.
 */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      const opener = document.activeElement as HTMLElement | null;
      dialog.showModal();
      return () => opener?.focus();
    }
    if (!props.open && dialog.open) dialog.close();
    return undefined;
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      {props.open ? (
        <>
          <h2 id={titleId}>{props.title}</h2>
          <div className="dialog-body">{props.children}</div>
          <div className="dialog-actions">{props.actions}</div>
        </>
      ) : null}
    </dialog>
  );
}

/** Asks before something that cannot be undone. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: unknown;
  onConfirm(): void;
  onClose(): void;
}) {
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={props.onClose}>Cancel</Button>
          <Button variant="danger" busy={props.busy ?? false} onClick={props.onConfirm}>
            {props.confirmLabel}
          </Button>
        </>
      }
    >
      {props.children}
      <ErrorBox error={props.error} />
    </Dialog>
  );
}

export function Field(props: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {props.hint ? <small>{props.hint}</small> : null}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  options: { value: string; label: string }[];
}) {
  return (
    <Field label={props.label}>
      {(id) => (
        <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function TextInput(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  type?: string;
  placeholder?: string;
  hint?: string;
}) {
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id) => (
        <input
          id={id}
          type={props.type ?? "text"}
          value={props.value}
          placeholder={props.placeholder}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

export function Toolbar(props: { children: ReactNode }) {
  return <div className="toolbar">{props.children}</div>;
}

/** A secret or link shown once, with a copy button. */
export function CopyField(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Field label={props.label}>
      {(id) => (
        <div className="copy-field">
          <input id={id} readOnly value={props.value} onFocus={(event) => event.target.select()} />
          <Button
            onClick={() => {
              void navigator.clipboard?.writeText(props.value).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      )}
    </Field>
  );
}

export function Json(props: { value: unknown; label: string }) {
  return (
    <figure className="json-figure" aria-label={props.label}>
      <pre className="json">{JSON.stringify(props.value, null, 2)}</pre>
    </figure>
  );
}

export function Tabs<T extends string>(props: {
  label: string;
  value: T;
  onChange(value: T): void;
  tabs: { value: T; label: string }[];
}) {
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((tab) => (
        <button
          key={tab.value}
          type="button"
          role="tab"
          aria-selected={tab.value === props.value}
          className={tab.value === props.value ? "tab tab-active" : "tab"}
          onClick={() => props.onChange(tab.value)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

/** "Load more" under a cursor-paginated list. */
export function MoreButton(props: { hasMore: boolean; onMore(): void; busy?: boolean }) {
  if (!props.hasMore) return null;
  return (
    <div className="more">
      <Button onClick={props.onMore} busy={props.busy ?? false}>
        Load more
      </Button>
    </div>
  );
}
