/**
 * The dashboard's entry: sign-in until there is an API key, then the pages under one layout. Each page is its
 * own chunk, loaded when first opened (the layout shows a loading state meanwhile), so the first page a person
 * opens downloads only its own code; charts (recharts) load with the two pages that draw them.
 */
import { lazy, StrictMode, useCallback, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { storeApiKey, storedApiKey } from "./api.ts";
import { Layout } from "./layout.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { SessionProvider } from "./session.tsx";
import "./styles.css";

const OverviewPage = lazy(() => import("./pages/overview.tsx").then((m) => ({ default: m.OverviewPage })));
const ConnectionsPage = lazy(() =>
  import("./pages/connections.tsx").then((m) => ({ default: m.ConnectionsPage })),
);
const ConnectionDetailPage = lazy(() =>
  import("./pages/connection-detail.tsx").then((m) => ({ default: m.ConnectionDetailPage })),
);
const RunsPage = lazy(() => import("./pages/runs.tsx").then((m) => ({ default: m.RunsPage })));
const RunDetailPage = lazy(() =>
  import("./pages/run-detail.tsx").then((m) => ({ default: m.RunDetailPage })),
);
const RecordsPage = lazy(() => import("./pages/records.tsx").then((m) => ({ default: m.RecordsPage })));
const ReverseEtlPage = lazy(() =>
  import("./pages/reverse-etl.tsx").then((m) => ({ default: m.ReverseEtlPage })),
);
const FlowsPage = lazy(() => import("./pages/flows.tsx").then((m) => ({ default: m.FlowsPage })));
const WebhooksPage = lazy(() => import("./pages/webhooks.tsx").then((m) => ({ default: m.WebhooksPage })));
const IssuesPage = lazy(() => import("./pages/issues.tsx").then((m) => ({ default: m.IssuesPage })));
const SettingsPage = lazy(() => import("./pages/settings.tsx").then((m) => ({ default: m.SettingsPage })));

function App() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const signOut = useCallback(() => {
    storeApiKey(null);
    setApiKey(null);
  }, []);
  if (!apiKey) {
    return (
      <SignInPage
        onSignIn={(key) => {
          storeApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <SessionProvider apiKey={apiKey} onSignOut={signOut}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<OverviewPage />} />
          <Route path="connections" element={<ConnectionsPage />} />
          <Route path="connections/:id" element={<ConnectionDetailPage />} />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/:id" element={<RunDetailPage />} />
          <Route path="records" element={<RecordsPage />} />
          <Route path="reverse-etl" element={<ReverseEtlPage />} />
          <Route path="flows" element={<FlowsPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="issues" element={<IssuesPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </SessionProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}
