"""Each module's lesson helpers: its data, figures and demonstrations, named by topic."""
