/** The "CLI equivalent" panel: the command line that does what the user is doing here. */
import { useState } from 'react';

export function CliEquivalent({ command, note }: { command: string; note?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(command).then(() => {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    }, () => undefined);
  };
  return (
    <section className="cli-equivalent" aria-label="CLI equivalent">
      <header>
        <span className="cli-title">CLI equivalent</span>
        <button type="button" className="crumb-link" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
      </header>
      <pre><code>{command}</code></pre>
      {note ? <p className="cli-note">{note}</p> : null}
    </section>
  );
}
