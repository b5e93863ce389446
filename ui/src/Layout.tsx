import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";
import { onAuthRequired, token } from "./api.js";
import { chooseLanguage } from "./i18n.js";

export function Layout() {
  const { t, i18n } = useTranslation();
  const [signIn, setSignIn] = useState(false);
  useEffect(() => onAuthRequired(() => setSignIn(true)), []);
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
      <main>{signIn ? <SignIn onDone={() => setSignIn(false)} /> : <Outlet />}</main>
    </>
  );
}

function SignIn({ onDone }: { onDone: () => void }) {
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
