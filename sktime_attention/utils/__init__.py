"""Internal helpers shared by the forecasters."""
