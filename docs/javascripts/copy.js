// An excerpt of a snippet does not run on its own, so its copy button copies the whole snippet.
// The build marks each excerpt with its snippet's path (data-copy-whole) and each full listing
// with data-snippet; at click time, before Material's clipboard handler reads the text, the
// button is given the full listing's text. (An excerpt whose snippet is not listed in full on
// the page carries the text itself in data-copy, which Material copies directly.)
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-clipboard-target]");
  const excerpt = button && button.closest(".excerpt[data-copy-whole]");
  if (!excerpt || excerpt.hasAttribute("data-copy")) return;
  const whole = document.querySelector(`[data-snippet="${CSS.escape(excerpt.dataset.copyWhole)}"] code`);
  if (whole) button.setAttribute("data-clipboard-text", whole.textContent.trimEnd());
}, true);

// Say so on the button: its tooltip and accessible name name the file it copies. Material adds a code
// block's buttons when the block nears the screen (the content.lazy feature), so each is named as it
// arrives, before a reader can reach it.
function nameCopyButtons(root) {
  for (const button of root.querySelectorAll(".excerpt[data-copy-whole] [data-clipboard-target]")) {
    const file = button.closest(".excerpt").dataset.copyWhole.split("/").pop();
    button.title = `Copy the whole snippet, ${file} (this excerpt alone does not run)`;
    button.setAttribute("aria-label", button.title);
  }
}
new MutationObserver((records) => {
  for (const record of records)
    for (const node of record.addedNodes)
      if (node.nodeType === 1 && node.closest(".excerpt[data-copy-whole]")) nameCopyButtons(node.parentNode);
}).observe(document.body, { childList: true, subtree: true });
nameCopyButtons(document);
