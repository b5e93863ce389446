import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import type { Root } from "react-dom/client";
import { RouterProvider, createHashRouter } from "react-router";
import "./i18n.js";
import "./style.css";
import { Layout } from "./Layout.js";
import { isSignInReturn } from "./oidc-return.js";
import { SignInReturn } from "./SignIn.js";
import { runsQueryOfUrl } from "./runs-query.js";
import { RunsView } from "./views/RunsView.js";

const client = new QueryClient({ defaultOptions: { queries: { retry: (count, error) => count < 2 && !("status" in error && typeof error.status === "number" && error.status < 500) } } });

// Hash routes: every view has its own URL, and the server serves one static index.html.
// The runs list is the first page and comes with it; the other views (the run's graph layout
// above all) load when first opened, so the first page parses less script.
const routes = [
  {
    path: "/",
    element: <Layout />,
    children: [
      { index: true, element: <RunsView /> },
      { path: "runs/:id", lazy: async () => ({ Component: (await import("./views/RunView.js")).RunView }) },
      { path: "approvals", lazy: async () => ({ Component: (await import("./views/ApprovalsView.js")).ApprovalsView }) },
      { path: "audit", lazy: async () => ({ Component: (await import("./views/AuditView.js")).AuditView }) },
      { path: "catalogue", lazy: async () => ({ Component: (await import("./views/CatalogueView.js")).CatalogueView }) },
      { path: "health", lazy: async () => ({ Component: (await import("./views/HealthView.js")).HealthView }) },
    ],
  },
];

function renderConsole(root: Root): void {
  // The runs list is asked for now, while React starts: the answer travels as the page renders.
  const firstRuns = runsQueryOfUrl(location.hash);
  if (firstRuns) void client.prefetchQuery(firstRuns);
  // Made here, not at load: after a sign-in the address changes before the router reads it.
  const router = createHashRouter(routes);
  root.render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}

const element = document.getElementById("root");
if (element) {
  const root = createRoot(element);
  // The issuer sent the browser back here with a code: finish the sign-in before any view asks the API.
  if (isSignInReturn(location.search)) root.render(<StrictMode><SignInReturn onSignedIn={() => renderConsole(root)} /></StrictMode>);
  else renderConsole(root);
}
