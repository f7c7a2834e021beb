"""Independent validation on PharmacotherapyDB."""
