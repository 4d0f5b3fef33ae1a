mkdir -p context/tree/gdir context/tree/tdir context/tree/sdir context/arc
printf '#!/bin/sh\n' > context/tree/su && chmod 4755 context/tree/su
printf 'g\n' > context/tree/sg && chmod 2750 context/tree/sg
printf 't\n' > context/tree/st && chmod 1644 context/tree/st
chmod 2775 context/tree/gdir && chmod 1777 context/tree/tdir && chmod 4755 context/tree/sdir
printf 'f\n' > context/tree/sdir/f && chmod 6755 context/tree/sdir/f
chmod 700 context/tree
printf 'x\n' > context/arc/su && chmod 4755 context/arc/su && mkdir context/arc/gd && chmod 2755 context/arc/gd
tar -C context/arc -cf context/a.tar su gd && rm -r context/arc
printf 'p\n' > context/plain
