#!/usr/bin/env bash
# Fails when a library under lib/ includes from, or links to, a library above it. The layers and
# what each may use are declared once, by ff_layer(<name> DEPENDS ...) in lib/<name>/CMakeLists.txt,
# in the order of lib/CMakeLists.txt; a library may use its DEPENDS and what they use in turn.
set -euo pipefail
cd "$(dirname "$0")/.."

order=$(sed -n 's/^foreach(dir \(.*\))$/\1/p' lib/CMakeLists.txt)
[ -n "$order" ] || { echo "check-layering: no layer order in lib/CMakeLists.txt" >&2; exit 2; }

declare -A deps allowed
seen=" "
status=0
for layer in $order; do
  decl=$(tr '\n' ' ' <"lib/$layer/CMakeLists.txt" | grep -o "ff_layer($layer[^)]*)" || true)
  [ -n "$decl" ] || { echo "lib/$layer: no ff_layer($layer ...) declaration" >&2; status=1; continue; }
  direct=$(sed -e "s/ff_layer($layer//; s/)//; s/DEPENDS//" <<<"$decl")
  closure=" $layer "
  for d in $direct; do
    case "$seen" in
      *" $d "*) closure+="${allowed[$d]} " ;;
      *) echo "lib/$layer depends on '$d', which is not a layer below it" >&2; status=1 ;;
    esac
  done
  deps[$layer]="$direct"
  allowed[$layer]="$closure"
  seen+="$layer "

  # Every quoted include of another lib/ folder must name an allowed layer.
  while IFS= read -r hit; do
    file=${hit%%:*}
    inc=$(sed -n 's/.*#include "\([a-z0-9_]*\)\/.*/\1/p' <<<"${hit#*:*:}")
    [ -d "lib/$inc" ] || continue
    case "$closure" in
      *" $inc "*) ;;
      *) echo "$file: includes $inc/, above lib/$layer (allowed: $closure)" >&2; status=1 ;;
    esac
  done < <(grep -rn '#include "[a-z0-9_]*/' "lib/$layer" --include='*.cpp' --include='*.hpp' || true)

  # Links to other FleetFuel libraries go through ff_layer only.
  if grep -n 'target_link_libraries' "lib/$layer/CMakeLists.txt" |
     sed 's/target_link_libraries([a-z0-9_]*//; s/ff_asio//g' | grep -E '\bff_[a-z0-9]+' >&2; then
    echo "lib/$layer/CMakeLists.txt: links a FleetFuel library outside ff_layer(... DEPENDS ...)" >&2
    status=1
  fi
done

[ "$status" -eq 0 ] && echo "check-layering: $(wc -w <<<"$order") layers, every include and link points down"
exit "$status"
