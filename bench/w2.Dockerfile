# bench/run.sh W2 (build cold) and W3 (build cached): ten steps over the generated context
# (gen-data.py context: src/ holds 5k files, conf/ is the last COPY's source, which W3 changes).
# FROM names the busybox base each tool has in its own store (docker: loaded from kiln's archive).
FROM localhost/bb:latest
ENV APP_HOME=/app LANG=C.UTF-8
LABEL org.opencontainers.image.title="kiln bench W2" org.opencontainers.image.source="bench/run.sh"
WORKDIR /app
RUN mkdir -p gen && for i in $(seq 1 500); do echo "generated line $i" > gen/f$i.txt; done
RUN dd if=/dev/zero of=/app/zeros.bin bs=1M count=16 2>/dev/null && sha256sum zeros.bin > zeros.sum
COPY src/ /app/src/
RUN find /app/src -type f | wc -l > src-files.txt && du -sk /app/src > src-kb.txt
ENV STAGE=final
RUN cat gen/*.txt | sha256sum > gen.sum && ls -lR /app/src | wc -l > listing.txt
COPY conf/ /app/conf/
