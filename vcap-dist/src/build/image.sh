#!/usr/bin/env bash
# Builds the self-contained vcap image from the build's jars: a jlink runtime that links vcap's
# modules, their libraries and the JDK modules they require (plus src/build/extra-modules), the
# launcher, man pages, completion and the JSON schemas; then the .tar.gz archive and, where
# dpkg-deb exists, the Debian package.
#
# usage: image.sh VERSION JDK_HOME TARGET_DIR REPO_ROOT
#   TARGET_DIR holds deps/ (dev.vcap.cli and every module it requires, as modular jars) and
#   generated/ (man pages and completion).
set -euo pipefail
version="$1" jdk="$2" target="$3" repo="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="vcap-$version"
image="$target/$name"
rm -rf "$image" "$target/deb"
mkdir -p "$image/bin" "$image/share/vcap"

# Every jar is a named module (an automatic one would stop jlink: docs/ARCHITECTURE.md, Java
# modules). Debug attributes stay: a stack trace (exit code 1, docs/CLI.md) names its lines.
extra="$({ grep -v '^#' "$here/extra-modules" || true; } | tr -s ' \n' ',' | sed 's/^,//; s/,$//')"
roots="dev.vcap.cli${extra:+,$extra}"
"$jdk/bin/jlink" --module-path "$target/deps" --add-modules "$roots" --output "$image/runtime" \
    --no-man-pages --no-header-files --compress zip-6
echo "$roots" | tr ',' '\n' > "$image/runtime/vcap-modules"
echo "image: modules $("$image/runtime/bin/java" --list-modules | sed 's/@.*//' | paste -sd, -)"

# the modules that call native code, by name, as jnativescan finds them in the linked modules
native="$("$jdk/bin/jnativescan" --module-path "$target/deps" --add-modules dev.vcap.cli --print-native-access)"
echo "image: native access for ${native:-no module}"
sed "s/@NATIVE_ACCESS@/${native:+--enable-native-access=$native}/" "$here/../launcher/vcap" > "$image/bin/vcap"
chmod 755 "$image/bin/vcap"

# The ahead-of-time cache bin/vcap starts from (JDK 25, -XX:AOTCache; docs/PERFORMANCE.md): the
# training run of ./vcap's cache (AotTraining), on this runtime with the launcher's default options,
# on the shared corpus's devices when the build finds it beside the repository.
defaults="$(sed -n 's/.*${VCAP_JAVA_OPTS:-\([^}]*\)}.*/\1/p' "$here/../launcher/vcap" | head -1)"
corpus=()
[[ -d "$repo/../shared/corpus/dumps" ]] && corpus=("$repo/../shared/corpus/dumps")
# shellcheck disable=SC2086 # the launcher's options, word-split as the launcher splits them
"$image/runtime/bin/java" $defaults ${native:+--enable-native-access=$native} '-Xlog:aot*=error' \
    -XX:AOTCacheOutput="$image/runtime/lib/vcap.aot" -m dev.vcap.cli/dev.vcap.cli.AotTraining "${corpus[@]}" >/dev/null
echo "image: ahead-of-time cache $(du -h "$image/runtime/lib/vcap.aot" | cut -f1) (options: $defaults)"
mkdir -p "$image/share/man" "$image/share/bash-completion"
cp -r "$target/generated/man/man1" "$image/share/man/"
cp -r "$target/generated/bash-completion/completions" "$image/share/bash-completion/"
cp -r "$repo/docs/schema" "$image/share/vcap/schema"
sed "s/@VERSION@/$version/" "$here/README" > "$image/README"

arch_tar="$(uname -m | sed 's/x86_64/x64/; s/aarch64/aarch64/')"
tar -C "$target" --owner=0 --group=0 --sort=name -czf "$target/$name-linux-$arch_tar.tar.gz" "$name"
echo "image: $target/$name-linux-$arch_tar.tar.gz"

if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "image: no dpkg-deb here: the Debian package is not built"
    exit 0
fi
arch="$(dpkg --print-architecture)"
debversion="${version//-/\~}"
root="$target/deb/vcap"
mkdir -p "$root/DEBIAN" "$root/usr/lib/vcap" "$root/usr/bin" "$root/usr/share/man/man1" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/doc/vcap"
cp -r "$image/bin" "$image/runtime" "$root/usr/lib/vcap/"
ln -s ../lib/vcap/bin/vcap "$root/usr/bin/vcap"
for page in "$image"/share/man/man1/*.1; do gzip -9n < "$page" > "$root/usr/share/man/man1/$(basename "$page").gz"; done
cp "$image/share/bash-completion/completions/vcap" "$root/usr/share/bash-completion/completions/vcap"
cp -r "$image/share/vcap/schema" "$root/usr/share/doc/vcap/schema"
cp "$here/../deb/copyright" "$root/usr/share/doc/vcap/copyright"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed "s/@VERSION@/$debversion/; s/@ARCH@/$arch/; s/@SIZE@/$size/" "$here/../deb/control" > "$root/DEBIAN/control"
find "$root" -type d -exec chmod 755 {} +
dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$target/vcap_${debversion}_${arch}.deb" >/dev/null
echo "image: $target/vcap_${debversion}_${arch}.deb"
