import { describe, expect, it } from "vitest";
import { exportFileName, slugify } from "../src/lib/slug";

describe("export file names", () => {
  it("turns a title into a file name", () => {
    expect(exportFileName("Checkout returns 500 (EU)")).toBe("checkout-returns-500-eu.md");
  });

  it("drops accents and punctuation", () => {
    expect(slugify("Café — paiement échoué!!")).toBe("cafe-paiement-echoue");
  });

  it("keeps names short without a trailing dash", () => {
    const slug = slugify("a".repeat(30) + " " + "b".repeat(40));
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug.endsWith("-")).toBe(false);
    expect(slug.startsWith("a".repeat(30) + "-b")).toBe(true);
  });

  it("falls back when nothing is left", () => {
    expect(exportFileName("!!! ???")).toBe("incident.md");
    expect(exportFileName("障害")).toBe("incident.md");
  });
});
