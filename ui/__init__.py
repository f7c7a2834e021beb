"""Shared Streamlit widgets and cached loaders for the pages."""
