"""The HTML report of a latentsim run: histograms of real vs generated events with ratio panels,
correlation matrices, training curves, the leaderboard, throughput and (when a study ran) the
classifier-study curves. Reads only the HDF5 and JSON files the latentsim commands wrote.

    python3 -m latentsim_report RUN [--out DIR] [--study STUDY]

`latentsim report RUN` runs this module; it writes DIR/report/index.html (DIR defaults to RUN)."""

# The packages the report needs: `bash scripts/setup.sh` installs them.
REQUIRED = ("numpy", "h5py", "matplotlib", "mplhep")
# sysexits.h EX_UNAVAILABLE, as latentsim's ExitStatus.unavailable: a package or program is missing.
EXIT_UNAVAILABLE = 69
EXIT_NO_INPUT = 66
