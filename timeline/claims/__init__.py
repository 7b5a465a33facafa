"""Claims compared: quantities read from news wording, and where sources differ."""
