import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

async function start(): Promise<void> {
  // `npm run demo` serves the UI in a browser over an in-memory fake of the shell.
  // The branch is compiled out of production builds.
  if (import.meta.env.MODE === "demo") {
    const { installFakeShell } = await import("../demo/fake-shell");
    installFakeShell();
  }
  const target = document.getElementById("app");
  if (!target) throw new Error("no #app element");
  mount(App, { target });
}

void start();
