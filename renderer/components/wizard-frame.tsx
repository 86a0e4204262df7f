/**
 * The frame every wizard shares: the step list, the current step's body, and a footer
 * with Back/Next. Enter in a one-line field presses the footer's primary button when it
 * is enabled, as in a form.
 */
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Stepper } from './stepper.tsx';

export interface WizardFrameProps {
  steps: readonly string[];
  current: number;
  /** The step's kind, exposed as data-step for tests and styles. */
  stepKind: string;
  footer: ReactNode;
  children: ReactNode;
}

export function WizardFrame({ steps, current, stepKind, footer, children }: WizardFrameProps) {
  const footerRef = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (event.key !== 'Enter' || event.defaultPrevented || target.tagName !== 'INPUT') return;
    const type = (target as HTMLInputElement).type;
    if (type === 'checkbox' || type === 'radio' || type === 'search') return;
    const primary = footerRef.current?.querySelector<HTMLButtonElement>('.btn-primary:not(:disabled)');
    if (primary) {
      event.preventDefault();
      primary.click();
    }
  };
  return (
    <>
      <Stepper steps={steps} current={current} />
      <div className="wizard" data-step={stepKind} onKeyDown={onKeyDown}>
        <div className="wizard-body">{children}</div>
        {footer ? <div className="wizard-footer" ref={footerRef}>{footer}</div> : null}
      </div>
    </>
  );
}
