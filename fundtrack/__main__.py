import sys

from fundtrack.cli import main

sys.exit(main())
