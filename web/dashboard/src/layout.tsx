/** The frame around every page: the navigation (a sidebar, a top strip on a phone), sign-out, and the page. */
import { Suspense, useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { ErrorBoundary } from "./components/error-boundary.tsx";
import { Loading } from "./components/ui.tsx";
import { useSession } from "./session.tsx";

const NAV = [
  { to: "/", label: "Overview", end: true },
  { to: "/connections", label: "Connections" },
  { to: "/runs", label: "Runs" },
  { to: "/issues", label: "Issues" },
  { to: "/records", label: "Records" },
  { to: "/reverse-etl", label: "Reverse ETL" },
  { to: "/flows", label: "Flows" },
  { to: "/webhooks", label: "Webhooks" },
  { to: "/settings", label: "Settings" },
];

export function Layout() {
  const { signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPage = useRef(true);
  // Moving to another page puts focus on its content (keyboard and screen-reader users); the first page
  // keeps the browser's own start, so Tab reaches the skip link first.
  useEffect(() => {
    if (firstPage.current) firstPage.current = false;
    else if (location.pathname) main.current?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Switchyard</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end ?? false}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="sign-out" onClick={signOut}>
          Sign out
        </button>
      </aside>
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary resetKey={location.pathname}>
          {/* Pages are loaded on first use: their chunk's download shows as the usual loading state. */}
          <Suspense fallback={<Loading label="Loading the page…" />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
