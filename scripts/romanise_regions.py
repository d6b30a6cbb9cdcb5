"""Write src/digindex/regions/romanised.json: every registry unit's short name, pinyin and English
name computed by the rules of regions/names.py. Run it after changing names.py (a test says when).
Usage: .venv/bin/python scripts/romanise_regions.py"""
from digindex.regions.names import ROMANISED, write_romanised
from digindex.regions.registry import registry

if __name__ == "__main__":
    count = write_romanised((r.name, r.type) for r in registry())
    print(f"{ROMANISED}: {count} names")
