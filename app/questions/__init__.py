"""The question bank: types, versions, review, and import/export formats."""
