import sys

from vertebra.cli import main

sys.exit(main())
