/** A page that throws while rendering shows what went wrong instead of a blank screen; the rest stays usable. */
import { Component, type ReactNode } from "react";

export class ErrorBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error: Error | null }
> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="state state-error" role="alert">
        <strong>This page could not be shown</strong>
        <p>{this.state.error.message}</p>
        <p className="hint">Reload the page; if it happens again, report it with the steps that led here.</p>
      </div>
    );
  }
}
