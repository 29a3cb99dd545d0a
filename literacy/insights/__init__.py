"""Leader insights: metric definitions (pure), rollup SQL, the read models behind it and the overview."""
