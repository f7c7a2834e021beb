"""The signed random walk with restart, drug profiles and the walk view."""
