from . import install

for path in install():
    print(f"JupyterLab settings: {path}")
