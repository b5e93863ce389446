import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";
import { onAuthRequired, token } from "./api.js";
import { chooseLanguage } from "./i18n.js";
import { SignIn } from "./SignIn.js";

export function Layout() {
  const { t, i18n } = useTranslation();
  // null: signed in (or auth off); else whether a token was sent and refused (expired).
  const [signIn, setSignIn] = useState<{ expired: boolean } | null>(null);
  useEffect(() => onAuthRequired(() => setSignIn({ expired: token.get() !== null })), []);
  return (
    <>
      <header>
        <nav aria-label="main">
          <strong>cs-agents</strong>
          <NavLink to="/" end>{t("nav.runs")}</NavLink>
          <NavLink to="/approvals">{t("nav.approvals")}</NavLink>
          <NavLink to="/audit">{t("nav.audit")}</NavLink>
          <NavLink to="/catalogue">{t("nav.catalogue")}</NavLink>
          <NavLink to="/health">{t("nav.health")}</NavLink>
        </nav>
        <label>
          {t("nav.language")}{" "}
          <select value={i18n.language} onChange={(e) => chooseLanguage(e.target.value === "zh" ? "zh" : "en")}>
            <option value="zh">中文</option>
            <option value="en">English</option>
          </select>
        </label>
      </header>
      <main>{signIn ? <SignIn expired={signIn.expired} onDone={() => setSignIn(null)} /> : <Outlet />}</main>
    </>
  );
}
