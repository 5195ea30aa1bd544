"""Natural-language understanding for 红管家."""
