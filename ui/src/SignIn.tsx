import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { token } from "./api.js";
import { consoleConfig } from "./console-config.js";
import type { OidcSettings } from "./console-config.js";

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Asked for when the API answers 401: the issuer's sign-in when the server names one
 * (/ui/config.json), else a pasted token. `expired`: a token was sent and refused.
 */
export function SignIn({ expired, onDone }: { readonly expired: boolean; readonly onDone: () => void }) {
  const { t } = useTranslation();
  const config = useQuery({ queryKey: ["console-config"], queryFn: consoleConfig, staleTime: Number.POSITIVE_INFINITY, retry: false });
  if (config.isPending) return <p>{t("loading")}</p>;
  // No settings to read (an older server): pasting a token still works.
  const oidc = config.data?.oidc;
  return oidc ? <OidcSignIn settings={oidc} expired={expired} /> : <TokenSignIn onDone={onDone} />;
}

function TokenSignIn({ onDone }: { readonly onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    token.set(value.trim());
    client.clear();
    onDone();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t("auth.title")}</h1>
      <p role="alert">{t("auth.prompt")}</p>
      <label>
        {t("auth.token")}
        <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required />
      </label>
      <button type="submit">{t("auth.signIn")}</button>
    </form>
  );
}

function OidcSignIn({ settings, expired, problem = null }: { readonly settings: OidcSettings; readonly expired: boolean; readonly problem?: string | null }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(problem);
  const start = () => {
    setBusy(true);
    setError(null);
    import("./oidc.js")
      .then((oidc) => oidc.startSignIn(settings, location.hash))
      .catch((e: unknown) => {
        setBusy(false);
        setError(messageOf(e));
      });
  };
  return (
    <section className="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t("auth.title")}</h1>
      {error ? <p role="alert">{t("auth.refused", { message: error })}</p> : <p role="alert">{expired ? t("auth.expired") : t("auth.oidcPrompt")}</p>}
      <button type="button" onClick={start} disabled={busy}>
        {busy ? t("auth.signingIn") : expired ? t("auth.signInAgain") : t("auth.signInWith", { issuer: new URL(settings.issuer).host })}
      </button>
    </section>
  );
}

// Started once per page load, whatever React does with effects: a code can be exchanged only once.
let finishing: Promise<{ returnTo: string }> | undefined;
function finishOnce(): Promise<{ returnTo: string }> {
  finishing ??= (async () => {
    const { oidc } = await consoleConfig();
    if (!oidc) throw new Error("this server names no OIDC issuer (CS_AGENTS_UI_OIDC_ISSUER)");
    const { finishSignIn } = await import("./oidc.js");
    const signedIn = await finishSignIn(oidc, new URL(location.href));
    token.set(signedIn.accessToken);
    return { returnTo: signedIn.returnTo };
  })();
  return finishing;
}

/**
 * The page the issuer sends the browser back to (/ui/?code=…&state=…): finishes the sign-in,
 * then takes the code out of the address and opens the view the user was on.
 */
export function SignInReturn({ onSignedIn }: { readonly onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [settings, setSettings] = useState<OidcSettings | null>(null);
  useEffect(() => {
    finishOnce().then(
      ({ returnTo }) => {
        history.replaceState(null, "", `/ui/${returnTo}`);
        onSignedIn();
      },
      (e: unknown) => {
        setError(messageOf(e));
        void consoleConfig().then((c) => setSettings(c.oidc), () => undefined);
      },
    );
  }, [onSignedIn]);
  if (error === null) return <main><p>{t("auth.signingIn")}</p></main>;
  return (
    <main>
      {settings ? (
        <OidcSignIn settings={settings} expired={false} problem={error} />
      ) : (
        <section className="card" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">{t("auth.title")}</h1>
          <p role="alert">{t("auth.refused", { message: error })}</p>
          <a href="/ui/">{t("auth.backToConsole")}</a>
        </section>
      )}
    </main>
  );
}
