// File names for exports: "Checkout returns 500 (EU)" → "checkout-returns-500-eu.md".

export function slugify(title: string, maxLength = 60): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const cut = slug.slice(0, maxLength).replace(/-+$/, "");
  return cut || "incident";
}

export function exportFileName(title: string): string {
  return `${slugify(title)}.md`;
}
