"""Exams: papers (fixed or drawn by rules), attempts with a sealed paper, server-timed
saves and submits, grading through the question type registry, and results."""
