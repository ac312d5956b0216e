// Render math with the self-hosted KaTeX. `document$` is Material's observable: it fires on
// the first load and again after every instant navigation, so math is re-rendered each time.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    // Notebook pages keep each cell's raw source in a hidden div for the copy button.
    ignoredClasses: ["clipboard-copy-txt"],
    throwOnError: true,
  });
});
