# Sourced by bin/test and bin/bench: make TRYTOND_DATABASE_URI point at a
# running PostgreSQL.  With TRYTOND_DATABASE_URI set, its server is used;
# otherwise the local PostgreSQL from Debian's packages is created if needed,
# started and given a "tryton" role.
if [ -z "${TRYTOND_DATABASE_URI:-}" ]; then
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
        pg_createcluster "$version" main >/dev/null
    fi
    read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)
    if [ "$status" != "online" ]; then
        echo "test: starting PostgreSQL $version/$cluster"
        pg_ctlcluster "$version" "$cluster" start
    fi
    for _ in $(seq 30); do
        pg_isready -q -h 127.0.0.1 -p "$port" && break
        sleep 1
    done
    su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='tryton'\"" \
        | grep -q 1 \
        || su postgres -c "psql -p $port -qc \"CREATE ROLE tryton LOGIN SUPERUSER PASSWORD 'tryton'\""
    export TRYTOND_DATABASE_URI="postgresql://tryton:tryton@127.0.0.1:$port/"
fi
