import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider, createHashRouter } from "react-router";
import "./i18n.js";
import "./style.css";
import { Layout } from "./Layout.js";
import { ApprovalsView } from "./views/ApprovalsView.js";
import { AuditView } from "./views/AuditView.js";
import { CatalogueView } from "./views/CatalogueView.js";
import { HealthView } from "./views/HealthView.js";
import { RunView } from "./views/RunView.js";
import { RunsView } from "./views/RunsView.js";

const client = new QueryClient({ defaultOptions: { queries: { retry: (count, error) => count < 2 && !("status" in error && typeof error.status === "number" && error.status < 500) } } });

// Hash routes: every view has its own URL, and the server serves one static index.html.
const router = createHashRouter([
  {
    path: "/",
    element: <Layout />,
    children: [
      { index: true, element: <RunsView /> },
      { path: "runs/:id", element: <RunView /> },
      { path: "approvals", element: <ApprovalsView /> },
      { path: "audit", element: <AuditView /> },
      { path: "catalogue", element: <CatalogueView /> },
      { path: "health", element: <HealthView /> },
    ],
  },
]);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
