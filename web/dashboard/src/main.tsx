/** The dashboard's entry: sign-in until there is an API key, then the pages under one layout. */
import { StrictMode, useCallback, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { storeApiKey, storedApiKey } from "./api.ts";
import { Layout } from "./layout.tsx";
import { ConnectionDetailPage } from "./pages/connection-detail.tsx";
import { ConnectionsPage } from "./pages/connections.tsx";
import { FlowsPage } from "./pages/flows.tsx";
import { IssuesPage } from "./pages/issues.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import { RecordsPage } from "./pages/records.tsx";
import { ReverseEtlPage } from "./pages/reverse-etl.tsx";
import { RunDetailPage } from "./pages/run-detail.tsx";
import { RunsPage } from "./pages/runs.tsx";
import { SettingsPage } from "./pages/settings.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { WebhooksPage } from "./pages/webhooks.tsx";
import { SessionProvider } from "./session.tsx";
import "./styles.css";

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
