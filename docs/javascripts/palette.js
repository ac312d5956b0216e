// The colour-scheme toggle (overrides/partials/palette.html). Material's palette component would do this,
// but mounting it restyles the whole page twice on every load; this does its work only when the reader
// presses the toggle, or when the system's scheme changes and the reader has not chosen one.
(function () {
  const inputs = () => [...document.querySelectorAll("[data-lal-palette] input")];

  function apply(index, save) {
    const all = inputs(), input = all[index];
    if (!input) return;
    input.checked = true;
    const color = {};
    // Material's switching mark turns transitions off, so the whole page changes colour at once.
    document.body.setAttribute("data-md-color-switching", "");
    for (const key of ["media", "scheme", "primary", "accent"]) {
      color[key] = input.getAttribute(`data-md-color-${key}`);
      if (key !== "media") document.body.setAttribute(`data-md-color-${key}`, color[key]);
    }
    all.forEach((other, i) => {
      const label = other.nextElementSibling;
      if (label && label.tagName === "LABEL") label.hidden = i !== index;
    });
    if (save) __md_set("__palette", { index, color });
    // A phone browser's toolbar takes the header's colour.
    const header = getComputedStyle(document.querySelector(".md-header"));
    let meta = document.querySelector('meta[name="theme-color"]');
    if (!meta) document.head.append(meta = Object.assign(document.createElement("meta"), { name: "theme-color" }));
    meta.content = header.backgroundColor;
    setTimeout(() => document.body.removeAttribute("data-md-color-switching"));
  }

  document.addEventListener("change", (event) => {
    const all = inputs(), index = all.indexOf(event.target);
    if (index >= 0) apply(index, true);
  });
  // Enter on the focused option switches to the next one, as in Material.
  document.addEventListener("keydown", (event) => {
    const all = inputs(), index = all.indexOf(event.target);
    if (event.key !== "Enter" || index < 0) return;
    const next = all[(index + 1) % all.length];
    next.click();
    next.focus();
  });
  // Follow the system's scheme while the reader has not chosen one.
  for (const input of inputs()) {
    matchMedia(input.getAttribute("data-md-color-media")).addEventListener("change", (event) => {
      if (event.matches && !__md_get("__palette")) apply(inputs().indexOf(input), false);
    });
  }
})();
