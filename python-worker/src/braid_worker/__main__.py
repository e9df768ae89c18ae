"""``python -m braid_worker``: run a worker configured by the BRAID_* environment."""

from ._main import main

if __name__ == "__main__":
    main()
