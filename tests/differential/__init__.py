"""The generated differential test: the browser model against real headless Chromium on generated cases."""
