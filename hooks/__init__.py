"""Build machinery: `runner` executes snippets, `site_hook` wires results into MkDocs."""
