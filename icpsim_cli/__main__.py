import sys

from icpsim_cli import main

sys.exit(main())
