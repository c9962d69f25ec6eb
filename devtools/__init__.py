"""Development tooling, installed with DEBUG or DEV_TOOLS: the demo stories (load_demo) and the benchmark's data generator (generate_data)."""
